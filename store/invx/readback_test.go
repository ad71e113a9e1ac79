package invx

import (
	"context"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// TestReadUpdatedThroughDatabaseSQL reads a bulk UPDATE's rows through database/sql's rows, as a
// batch run statement by statement hands them over (on PostgreSQL the texts are then scanned column
// by column instead of read raw), and gets the documents as read alone: NULLs, empty texts and the
// separators included, in a text and in an id.
func TestReadUpdatedThroughDatabaseSQL(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		var items []ActionItem
		for i, no := range []string{`a"(\) b,`, "unit\x1fsep", ""} {
			id := []string{"", "id\x1fwith separator", ""}[i] // "": a new UUID
			d, err := s.CreateDocument(ctx, org.ID, u.ID, NewDocument{ID: id, DocNumber: no, DocType: "100", DocDate: "23/01/2023",
				SellerGstin: "27AAAPI3182M002", BuyerGstin: "27ACBPN2353E1ZX", Amount: store.MustDecimal("100.50"), Body: "{}"})
			if err != nil {
				t.Fatal(err)
			}
			note := []string{"", "-", "x\x1fy"}[i]
			items = append(items, ActionItem{DocID: d.ID, Action: Accept, Comments: &note})
		}
		items[2].Comments = nil // NULL
		query, args := s.sql.apply(org.ID, u.ID, items, time.Now())
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			rows, err := tx.Raw(query, args...).Rows()
			if err != nil {
				return err
			}
			defer rows.Close()
			updated, again, err := s.readUpdated(rows, s.sql.rows, len(items))
			if err != nil {
				return err
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if len(again) > 0 {
				if err := s.rereadUpdated(tx, org.ID, again, updated); err != nil {
					return err
				}
			}
			for _, it := range items {
				var want Document
				if err := tx.Where("organization_id = ? AND id = ?", org.ID, it.DocID).Take(&want).Error; err != nil {
					return err
				}
				want.Body = ""
				if got := updated[it.DocID]; got == nil || !reflect.DeepEqual(*got, want) {
					t.Errorf("read back\n%+v\nread alone\n%+v", got, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestSQLiteBulkUpdateKeepsNoStatementJournal reads SQLite's program for both forms of the bulk
// UPDATE: no opcode SQLite counts as one that may abort the statement alone (a function call, a
// halt on a constraint with abort as its action, a virtual-table update, an immediate foreign-key
// counter), else SQLite keeps a statement journal of every page the UPDATE changes, which cost
// 0.5-1 ms of a 1000-document delete (statements.update, SeparatedTexts). The journal itself does
// not show in EXPLAIN: this reads the causes SQLite's own check (sqlite3VdbeAssertMayAbort) lists.
// SQLite's alone: PostgreSQL keeps no such journal.
func TestSQLiteBulkUpdateKeepsNoStatementJournal(t *testing.T) {
	const oeRollback, oeAbort = 1, 2 // SQLite's conflict actions, a halt's P2
	t.Parallel()
	db := storetest.Open(t, storetest.URL(t, storetest.SQLite))
	s := New(db)
	note := "ok"
	for name, items := range map[string][]ActionItem{
		"by ids":  {{DocID: "a", Action: Delete}, {DocID: "b", Action: Delete}},
		"by rows": {{DocID: "a", Action: Delete}, {DocID: "b", Action: Accept, Comments: &note}},
	} {
		query, args := s.sql.apply("org", "user", items, time.Now())
		rows, err := db.Gorm(context.Background()).Raw("EXPLAIN "+query, args...).Rows()
		if err != nil {
			t.Fatal(err)
		}
		notNullChecks := 0
		for rows.Next() {
			var addr, p1, p2, p3 int
			var opcode string
			var p4, p5, comment any
			if err := rows.Scan(&addr, &opcode, &p1, &p2, &p3, &p4, &p5, &comment); err != nil {
				t.Fatal(err)
			}
			switch {
			case opcode == "Function" || opcode == "PureFunc":
				t.Errorf("%s: the UPDATE calls %v", name, p4)
			case opcode == "HaltIfNull":
				notNullChecks++
				if p2 != oeRollback {
					t.Errorf("%s: a NULL in %v aborts the statement alone (conflict action %d), not the transaction", name, p4, p2)
				}
			case opcode == "Halt" && p1 != 0 && p2 == oeAbort:
				t.Errorf("%s: a constraint (%v) aborts the statement alone", name, p4)
			case opcode == "VUpdate" || (opcode == "FkCounter" && p1 == 0):
				t.Errorf("%s: %s at %d may abort the statement alone", name, opcode, addr)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		_ = rows.Close()
		if notNullChecks == 0 {
			t.Errorf("%s: no NOT NULL check in the program: the test reads it wrong", name)
		}
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// upbooksRows runs store/upbooks' BenchmarkDeleteSelective (the one implementation of the
// selective-delete comparison, which needs the package's test-only raw deletes) and reads its
// medians back.
func upbooksRows(c config) []row {
	sizes := "10000,100000"
	if c.million {
		sizes += ",1000000"
	}
	var names []string
	for _, b := range c.backends {
		names = append(names, string(b))
	}
	dir, err := os.MkdirTemp("", "bench-upbooks")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "medians.json")
	cmd := exec.Command("go", "test", "-count=1", "-run", "^$", "-bench", "^BenchmarkDeleteSelective$", "-benchtime", "1x", "-timeout", "120m", "./store/upbooks/")
	cmd.Env = append(os.Environ(), "UPBOOKS_BENCH_ROWS="+sizes, fmt.Sprintf("UPBOOKS_BENCH_ROUNDS=%d", c.upRounds),
		"UPBOOKS_BENCH_BACKENDS="+strings.Join(names, ","), "UPBOOKS_BENCH_JSON="+out)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fatal(fmt.Errorf("upbooks benchmark: %w", err))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		fatal(err)
	}
	var got []struct {
		Backend string                     `json:"backend"`
		Rows    int                        `json:"rows"`
		Median  map[string]time.Duration   `json:"median"`
		Rounds  map[string][]time.Duration `json:"rounds"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		fatal(err)
	}
	var rows []row
	for _, g := range got {
		m := g.Median
		rounds := func(a, b string) []float64 { return roundRatios(roundSeconds(g.Rounds, a), roundSeconds(g.Rounds, b)) }
		faster := fasterRaw(m)
		var dryRunGoal goal // issue 13 names its bound for a dry run at 1,000,000 rows only
		if g.Rows >= 1_000_000 {
			dryRunGoal = atMost(0.1)
		}
		rows = append(rows, row{family: "Upbooks",
			workload: fmt.Sprintf("Upbooks selective delete, 46 flags, %s rows", thousands(g.Rows)), backend: g.Backend,
			service: ms(m["service"]), rawFKs: ms(m["raw+FKs"]), floor: ms(m["floor"]),
			ratio: m["service"].Seconds() / m[faster].Seconds(), ratioOf: "service/faster raw", goal: atMost(1.5), rounds: rounds("service", faster),
			baseline: fmt.Sprintf("one DELETE … WHERE organization_id per table, children first, one transaction, with the FKs / FKs dropped (the ratio divides by the faster of the two); store call, fresh clone per variant, median of %d", c.upRounds),
		}, row{family: "Upbooks dry run",
			workload: fmt.Sprintf("Upbooks dry run of the same, %s rows", thousands(g.Rows)), backend: g.Backend,
			service: ms(m["dryRun"]), rawFKs: ms(m["countFloor"]) + " (bare COUNTs)", floor: ms(m["service"]) + " (the delete)",
			ratio: m["dryRun"].Seconds() / m["service"].Seconds(), ratioOf: "dry run/delete", goal: dryRunGoal, rounds: rounds("dryRun", "service"),
			more:     []namedRatio{{x: m["dryRun"].Seconds() / m["countFloor"].Seconds(), of: "dry run/bare COUNTs"}},
			baseline: dryRunBaseline,
		}, row{family: "Upbooks dry run",
			workload: fmt.Sprintf("Upbooks dry run's COUNTs alone, bare (the floor of any exact dry run), %s rows", thousands(g.Rows)), backend: g.Backend,
			service: ms(m["countFloor"]), floor: ms(m["service"]) + " (the delete)",
			ratio: m["countFloor"].Seconds() / m["service"].Seconds(), ratioOf: "bare COUNTs/delete", goal: dryRunGoal, rounds: rounds("countFloor", "service"),
			more:     []namedRatio{{x: m["countFloor"].Seconds() / m["floor"].Seconds(), of: "bare COUNTs/raw delete without FKs"}},
			baseline: dryRunBaseline,
		})
		if _, ok := m["countUnindexed"]; !ok {
			continue // SQLite: no organization_id indexes, so nothing to compare
		}
		rows = append(rows, row{family: "Upbooks COUNTs without the organization_id indexes",
			workload: fmt.Sprintf("Upbooks dry run's COUNTs, bare, without the organization_id indexes (the schema before migration 12), %s rows", thousands(g.Rows)), backend: g.Backend,
			service: ms(m["countUnindexed"]), floor: ms(m["service"]) + " (the delete)",
			ratio: m["countUnindexed"].Seconds() / m["service"].Seconds(), ratioOf: "unindexed COUNTs/delete", goal: dryRunGoal, // the schema before migration 12: no verdict
			more:     []namedRatio{{x: m["countUnindexed"].Seconds() / m["countFloor"].Seconds(), of: "unindexed/indexed COUNTs"}},
			baseline: "the bare COUNTs above, on a fresh clone whose tenant tables lost their index on organization_id alone before the clock",
		}, row{family: "Upbooks writes",
			workload: fmt.Sprintf("Upbooks insert of every row of the organization into its emptied tables, %s rows (what the organization_id indexes cost writes)", thousands(g.Rows)), backend: g.Backend,
			service: ms(m["insert"]), floor: ms(m["insertUnindexed"]) + " (without the indexes)",
			ratio: m["insert"].Seconds() / m["insertUnindexed"].Seconds(), ratioOf: "with/without the indexes",
			baseline: "INSERT INTO <table> SELECT * FROM a plain copy of its rows, parents first, one transaction, foreign keys checked, on a fresh clone whose tables were emptied before the clock; without: the organization_id indexes dropped first",
		})
	}
	return rows
}

// fasterRaw is the raw delete whose median is the faster (store/upbooks' "fastestRaw"): the goal's
// ratio and its rounds both divide by it, so the verdict judges the ratio printed beside it.
func fasterRaw(median map[string]time.Duration) string {
	if median["raw+FKs"] < median["floor"] {
		return "raw+FKs"
	}
	return "floor"
}

// roundSeconds is variant v's time in each round, in seconds.
func roundSeconds(rounds map[string][]time.Duration, v string) []float64 {
	xs := make([]float64, len(rounds[v]))
	for i, d := range rounds[v] {
		xs[i] = d.Seconds()
	}
	return xs
}

// dryRunBaseline says what the dry run is compared with.
const dryRunBaseline = "the service's delete of the same rows; \"bare COUNTs\" are the dry run's two COUNT statements sent alone over plain database/sql connections, side by side on PostgreSQL (no transaction, no snapshot, no membership read), on their own fresh clone: what any dry run that counts exactly pays"

func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

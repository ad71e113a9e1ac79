// Command bench-pool measures request latency under many concurrent clients for connection pool
// configurations side by side (issue 10, defect 10: with Go's defaults, unbounded and 2 idle, 150
// clients saw p95 8.5 s and /readyz flapped). Usage:
//
//	go run ./scripts/bench-pool [-postgres-url URL] [-clients 150] [-rounds 3] [-duration 5s]
//
// One fresh PostgreSQL database (made by the production migrations, dropped at the end) holds one
// tenant. Each round serves it with each configuration in turn (the order alternating by round) on
// a loopback listener in this process, and -clients goroutines send requests for -duration: every
// tenth a /readyz (the database ping a load balancer would send), the rest Upbooks
// GetOrganizationDetail (token check, membership guard, one read). The floor is /healthz (no
// database) under the same concurrency in the same round: what the HTTP stack and this machine cost.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/migrations"
)

type sample struct {
	api, floor []time.Duration
	apiErrors  int // non-2xx API answers (503s when the database refuses connections)
	readyFails int
	readyTotal int
}

func main() {
	pgURL := flag.String("postgres-url", envOr("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "admin URL of the PostgreSQL server")
	clients := flag.Int("clients", 150, "concurrent clients")
	rounds := flag.Int("rounds", 3, "rounds (each runs every configuration once)")
	duration := flag.Duration("duration", 5*time.Second, "load per configuration per round")
	flag.Parse()
	if err := run(*pgURL, *clients, *rounds, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "bench-pool:", err)
		os.Exit(1)
	}
}

func envOr(k, d string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return d
}

func run(admin string, clients, rounds int, duration time.Duration) error {
	ctx := context.Background()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "benchpool_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	defer func() { _, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") }()
	u, err := neturl.Parse(admin)
	if err != nil {
		return err
	}
	u.Path = "/" + name
	dbURL := u.String()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	setup, err := store.Open(ctx, dbURL, store.Options{Logger: quiet})
	if err != nil {
		return err
	}
	sqlDB, err := setup.SQL()
	if err != nil {
		return err
	}
	runner, err := migrations.New(sqlDB, setup.DialectName())
	if err != nil {
		return err
	}
	if _, err := runner.Up(ctx, quiet); err != nil {
		return err
	}
	ids := identity.New(setup, identity.Options{BcryptCost: 4})
	user, err := ids.CreateUser(ctx, identity.NewUser{Email: "bench@example.com", Name: "Bench", Password: "bench12345"})
	if err != nil {
		return err
	}
	org, err := ids.CreateOrganization(ctx, identity.NewOrganization{Name: "Bench Co", Location: "Pune", State: "Maharashtra", OwnerUserID: user.ID})
	if err != nil {
		return err
	}
	_ = setup.Close()

	configs := []struct {
		name string
		pool store.Pool
	}{
		{"Go defaults (unbounded, 2 idle)", store.Pool{MaxOpen: 100_000, MaxIdle: 2, MaxLifetime: time.Duration(1<<63 - 1), MaxIdleTime: time.Duration(1<<63 - 1)}},
		{fmt.Sprintf("service defaults (%d open, %d idle)", store.DefaultPool.MaxOpen, store.DefaultPool.MaxIdle), store.Pool{}},
	}
	results := make([]sample, len(configs))
	secret := []byte("bench-pool-secret-bench-pool-secret")
	for r := 0; r < rounds; r++ {
		for i := range configs {
			c := (i + r) % len(configs)
			db, err := store.Open(ctx, dbURL, store.Options{Logger: quiet, Pool: configs[c].pool})
			if err != nil {
				return err
			}
			srv, err := server.New(db, identity.New(db, identity.Options{}), server.Config{TokenSecret: secret, TokenTTL: time.Hour, Logger: quiet})
			if err != nil {
				return err
			}
			token, err := srv.Token(user, org.ID)
			if err != nil {
				return err
			}
			ts := httptest.NewServer(srv)
			load(ts.URL, "/api/v1/organization/"+org.ID, token, clients, duration, &results[c])
			ts.Close()
			_ = db.Close()
		}
	}
	fmt.Printf("%d clients, %d rounds x %v per configuration, PostgreSQL max_connections %s\n\n", clients, rounds, duration, maxConnections(ctx, conn))
	fmt.Println("| pool | API requests | API non-2xx | API median | API p95 | floor p95 (/healthz) | p95 / floor | /readyz failures |")
	fmt.Println("|---|--:|--:|--:|--:|--:|--:|--:|")
	for i, c := range configs {
		s := results[i]
		fmt.Printf("| %s | %d | %d | %s | %s | %s | %.1fx | %d / %d |\n", c.name, len(s.api), s.apiErrors, ms(pct(s.api, 50)), ms(pct(s.api, 95)),
			ms(pct(s.floor, 95)), float64(pct(s.api, 95))/float64(pct(s.floor, 95)), s.readyFails, s.readyTotal)
	}
	return nil
}

func maxConnections(ctx context.Context, conn *pgx.Conn) string {
	var v string
	if err := conn.QueryRow(ctx, "SHOW max_connections").Scan(&v); err != nil {
		return "?"
	}
	return v
}

// load runs clients goroutines against base for d: the API path with the token, /readyz every tenth
// request; then the same concurrency against /healthz for the floor.
func load(base, path, token string, clients int, d time.Duration, s *sample) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	get := func(p string, auth bool) (int, time.Duration) {
		req, _ := http.NewRequest(http.MethodGet, base+p, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		start := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			return 0, time.Since(start)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	var mu sync.Mutex
	phase := func(fn func(i int)) {
		var wg sync.WaitGroup
		stop := time.Now().Add(d)
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := c; time.Now().Before(stop); i++ {
					fn(i)
				}
			}()
		}
		wg.Wait()
	}
	phase(func(i int) {
		if i%10 == 0 {
			status, _ := get("/readyz", false)
			mu.Lock()
			s.readyTotal++
			if status != http.StatusOK {
				s.readyFails++
			}
			mu.Unlock()
			return
		}
		status, dur := get(path, true)
		mu.Lock()
		s.api = append(s.api, dur)
		if status != http.StatusOK {
			s.apiErrors++
		}
		mu.Unlock()
	})
	phase(func(int) {
		_, dur := get("/healthz", false)
		mu.Lock()
		s.floor = append(s.floor, dur)
		mu.Unlock()
	})
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

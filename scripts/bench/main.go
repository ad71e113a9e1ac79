// Command bench prints one table of every workload of issue 13, each beside the baseline it is
// judged against, measured side by side in one run: `make bench` (or `go run ./scripts/bench`).
//
// Every workload interleaves its variants round by round (who goes first alternates), and reports
// medians; the machine is shared, so only the ratios mean anything, and the load average is
// printed with the table. Workloads:
//
//   - Upbooks selective delete, all 46 flags, 10,000 and 100,000 rows (-million adds 1,000,000):
//     the service's store call against the plain per-table deletes with the schema's foreign keys and
//     without them (the floor), each on a fresh clone of one seeded database; and its dry run, beside
//     the dry run's two COUNT statements sent bare, side by side on PostgreSQL (the floor of any
//     dry run that counts exactly).
//   - invx bulk `del` of 1000 documents, end to end over HTTP (client wall time), against the one
//     UPDATE … RETURNING of the same columns over a plain database/sql connection, and beside that
//     statement behind a bare Echo handler (the least an HTTP service answering the rows costs).
//   - Ultrabiz insert + delete of a 5-line invoice over HTTP with -clients clients, against pgbench
//     running the service's statements (scripts/bench/ultrabiz.sql) with the same client count, beside
//     those statements sent from Go (no HTTP) and from a bare Echo server taking the service's very
//     requests (the least any HTTP service sending them costs).
//   - Small requests (GetOrganizationDetail, a dry run with 46 flags false) against a bare Echo
//     handler answering fixed JSON, requests/s from one client.
//
// The process runs with the service's garbage-collector target (server.TuneGC), as the binary does.
//
// It runs on PostgreSQL (TEST_DATABASE_URL, default the local server) and SQLite, like the tests,
// using storetest's databases; testing.Benchmark supplies the testing.TB those helpers take.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// row is one line of the table. Times are medians; for throughput workloads the figures are rates
// and higher is better.
type row struct {
	family            string // names the baseline's note under the table
	workload, backend string
	service, rawFKs   string
	floor             string
	ratio             float64
	ratioOf           string       // what the ratio divides, e.g. "service/floor"
	more              []namedRatio // further ratios, after the first
	goal              goal         // the zero goal: none
	rounds            []float64    // this row's ratio in each round, for the goal's verdict
	baseline          string       // what the baseline runs
	cost              string       // what one operation of each variant costs (CPU; for invx, heap allocations too), when measured
}

// namedRatio is a ratio and what it divides; with rounds (its ratio in each round, a floor's), the
// row's goal judges it too, by the rule that judges the row.
type namedRatio struct {
	x      float64
	of     string
	rounds []float64
}

type config struct {
	million  bool
	only     string
	rounds   int
	upRounds int
	clients  int
	seconds  float64
	backends []storetest.Backend
	pgbench  string
	stdout   io.Writer
}

func main() {
	testingInit()
	decimal.MarshalJSONWithoutQuotes = true // the specs carry decimals as JSON numbers
	var c config
	var backends string
	flag.BoolVar(&c.million, "million", false, "add the Upbooks delete of 1,000,000 rows (about 9 minutes more on a quiet 2-CPU machine)")
	flag.StringVar(&c.only, "only", "", "comma-separated workloads to run: upbooks, invx, ultrabiz, small (default all)")
	flag.IntVar(&c.rounds, "rounds", 7, "interleaved rounds of the short workloads (a verdict needs 5; up to 7 it judges by the lowest and highest round)")
	flag.IntVar(&c.upRounds, "upbooks-rounds", 5, "interleaved rounds of the Upbooks delete (a fresh clone per variant and round; a verdict needs 5)")
	flag.IntVar(&c.clients, "clients", 4, "concurrent clients of the Ultrabiz cycle (service and pgbench alike)")
	flag.Float64Var(&c.seconds, "seconds", 3, "seconds per Ultrabiz round and variant")
	flag.StringVar(&backends, "backends", "postgres,sqlite", "backends, comma-separated")
	flag.StringVar(&c.pgbench, "pgbench", "", "pgbench binary (default: on PATH, else /usr/lib/postgresql/15/bin/pgbench)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of this process (client and service) to this file")
	flag.Parse()
	if c.rounds < 1 || c.upRounds < 1 || c.clients < 1 {
		fatal(errors.New("-rounds, -upbooks-rounds and -clients must be at least 1"))
	}
	server.TuneGC() // the service in this process runs as the binary does
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	for _, b := range strings.Split(backends, ",") {
		c.backends = append(c.backends, storetest.Backend(strings.TrimSpace(b)))
	}
	c.stdout = os.Stdout
	// The server logs every request; thousands of lines would bury the table.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))

	start := time.Now()
	var rows []row
	run := func(name string, fn func(c config) []row) {
		if c.only != "" && !slices.Contains(strings.Split(c.only, ","), name) {
			return
		}
		t0 := time.Now()
		got := fn(c)
		fmt.Fprintf(os.Stderr, "bench: %s done in %s, load average %s\n", name, time.Since(t0).Round(time.Second), loadAverage())
		rows = append(rows, got...)
	}
	run("upbooks", upbooksRows)
	run("invx", invxRows)
	run("ultrabiz", ultrabizRows)
	run("small", smallRows)

	host, _ := os.Hostname()
	fmt.Printf("\n`go run ./scripts/bench %s` on %s (%d CPUs, %s), %s UTC, %s, load average at the end %s\n\n",
		strings.Join(os.Args[1:], " "), host, runtime.NumCPU(), cpuModel(), time.Now().UTC().Format("2006-01-02 15:04"),
		time.Since(start).Round(time.Second), loadAverage())
	fmt.Println("| workload | backend | service | raw SQL, same FKs | floor | ratio | goal | verdict |")
	fmt.Println("|---|---|--:|--:|--:|--:|--:|---|")
	var notes []string
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.workload, r.backend, r.service, dash(r.rawFKs), dash(r.floor), r.ratioText(), dash(r.goal.String()), dash(r.goal.verdict(r.rounds)))
		if note := "- " + r.family + ": " + r.baseline; !slices.Contains(notes, note) {
			notes = append(notes, note)
		}
	}
	fmt.Println("\nWhat each baseline runs:")
	fmt.Println(strings.Join(notes, "\n"))
	fmt.Println("\nWhat one operation costs: CPU of this process (the servers and their HTTP clients together) and, where shown, of PostgreSQL's backends; for invx, this process's heap allocations too:")
	for _, r := range rows {
		if r.cost != "" {
			fmt.Printf("- %s, %s: %s\n", r.workload, r.backend, r.cost)
		}
	}
}

// ratioText is the row's ratio column: its ratio, then the others, each floor's with its verdict.
func (r row) ratioText() string {
	text := fmt.Sprintf("%.2fx (%s)", r.ratio, r.ratioOf)
	for _, m := range r.more {
		of := m.of
		if v := r.goal.verdict(m.rounds); v != "" {
			of += "; by its rounds the goal is " + v
		}
		text += fmt.Sprintf("; %.2fx (%s)", m.x, of)
	}
	return text
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	ys := slices.Clone(xs)
	slices.Sort(ys)
	return ys[len(ys)/2]
}

// roundRatios is each round's ratio num[i]/den[i], the two measured side by side in that round.
// Rounds that do not pair up are the benchmark's bug: a verdict on them would judge nothing.
func roundRatios(num, den []float64) []float64 {
	if len(num) == 0 || len(num) != len(den) {
		fatal(fmt.Errorf("%d rounds against %d: nothing to pair", len(num), len(den)))
	}
	rs := make([]float64, len(num))
	for i := range rs {
		rs[i] = num[i] / den[i]
	}
	return rs
}

// roundRange gives the lowest and the highest of the rounds' ratios: how far one round strays from
// the ratio of the medians on a noisy machine.
func roundRange(rounds []float64) string {
	return fmt.Sprintf("rounds %.2f-%.2fx", slices.Min(rounds), slices.Max(rounds))
}

// goal is the bound issue 13 sets a ratio: at most, or at least, x. The zero goal is none.
type goal struct {
	atLeast bool
	x       float64
}

func atMost(x float64) goal  { return goal{x: x} }
func atLeast(x float64) goal { return goal{atLeast: true, x: x} }

func (g goal) String() string {
	switch {
	case g.x == 0:
		return ""
	case g.atLeast:
		return fmt.Sprintf(">= %gx", g.x)
	}
	return fmt.Sprintf("<= %gx", g.x)
}

func (g goal) meets(ratio float64) bool {
	if g.atLeast {
		return ratio >= g.x
	}
	return ratio <= g.x
}

// verdictConfidence is how sure a verdict is: the least coverage of the interval it judges by.
const verdictConfidence = 0.9

// verdict judges the goal by the rounds' ratios rather than by one median: on a machine whose speed
// drifts, a ratio of medians a hair on the goal's side says little. The rounds' median is held,
// with at least verdictConfidence, by an interval between two of their order statistics
// (medianInterval); the goal is met when the whole interval meets it, not met when none of it
// does, and undecided otherwise: more rounds, or a quieter machine, would tell.
func (g goal) verdict(rounds []float64) string {
	if g.x == 0 || len(rounds) == 0 {
		return ""
	}
	lo, hi, coverage, ok := medianInterval(rounds, verdictConfidence)
	if !ok {
		return fmt.Sprintf("undecided: %d rounds are too few to hold their median with %.0f%%", len(rounds), 100*verdictConfidence)
	}
	word := "undecided"
	switch {
	case g.meets(lo) && g.meets(hi):
		word = "met"
	case !g.meets(lo) && !g.meets(hi):
		word = "not met"
	}
	return fmt.Sprintf("%s: the rounds' median %.2fx, its %.0f%% interval %.2f-%.2fx (%d rounds)", word, median(rounds), math.Floor(100*coverage), lo, hi, len(rounds))
}

// medianInterval is the narrowest interval [x(k), x(n+1-k)] between xs's order statistics that
// holds the median of what they sample with probability at least level, whatever its distribution
// (the sign test's interval: x(k) lies above the median only when fewer than k of the n samples
// fall below it, with probability P(Binomial(n, 1/2) < k)). ok is false when even [min, max] holds
// it with less than level.
func medianInterval(xs []float64, level float64) (lo, hi, coverage float64, ok bool) {
	n := len(xs)
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	for k := (n + 1) / 2; k >= 1; k-- {
		if c := 1 - 2*binomialHalfCDF(n, k-1); c >= level {
			return sorted[k-1], sorted[n-k], c, true
		}
	}
	return 0, 0, 0, false
}

// binomialHalfCDF is P(Binomial(n, 1/2) <= j).
func binomialHalfCDF(n, j int) float64 {
	p, term := 0.0, math.Pow(0.5, float64(n)) // C(n, 0) / 2^n
	for i := 0; i <= j; i++ {
		p += term
		term = term * float64(n-i) / float64(i+1)
	}
	return p
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func pgbenchPath(c config) string {
	if c.pgbench != "" {
		return c.pgbench
	}
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	return "/usr/lib/postgresql/15/bin/pgbench"
}

package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store/storetest"
)

// fuzzPerOperation is how many requests each operation gets per backend (19 operations: about
// 1,500 per backend). The seed is fixed: a failure is reproduced by running the test again.
const (
	fuzzPerOperation = 80
	fuzzSeed         = 10
)

// TestSpecFuzzing sends, on each database, a fresh service's every operation of the three specs
// valid and mutated requests (missing, wrong-typed, boundary, huge, NUL and invalid UTF-8
// parameters and body values, extra and duplicate keys, raw non-JSON bodies, wrong media types,
// bad tokens, XML answers, Ultrabiz bodies as XML and form, 3 MB bodies with and without a
// Content-Length). Every answer must be a status the operation declares, with a body that
// validates against the spec, and never a 5xx.
func TestSpecFuzzing(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			start := time.Now()
			svc := startService(t, storetest.URL(t, backend))
			token := svc.demoToken()
			ops := operations(t)
			rng := rand.New(rand.NewPCG(fuzzSeed, fuzzSeed))
			var reqs []*request
			for i := 0; i < fuzzPerOperation; i++ {
				for _, op := range ops {
					base := baseRequest(op)
					reqs = append(reqs, mutate(base, mutations[rng.IntN(len(mutations))], rng))
				}
			}
			fails := &failures{t: t}
			var mu sync.Mutex
			byStatus := map[string]int{}
			work := make(chan *request)
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for r := range work {
						a, problem := send(context.Background(), svc.base, token, r)
						if problem != "" {
							fails.add("%s", problem)
						}
						mu.Lock()
						byStatus[fmt.Sprintf("%s %d", r.op.name(), a.status)]++
						if os.Getenv("RELIABILITY_DEBUG") != "" {
							fmt.Printf("DEBUG %s %s %d %s\n", r.op.name(), r.mutation, a.status, short(a.body))
						}
						mu.Unlock()
					}
				}()
			}
			for _, r := range reqs {
				work <- r
			}
			close(work)
			wg.Wait()
			lines := make([]string, 0, len(byStatus))
			for k, n := range byStatus {
				lines = append(lines, fmt.Sprintf("%s: %d", k, n))
			}
			sort.Strings(lines)
			t.Logf("answers by operation and status:\n  %s", strings.Join(lines, "\n  "))
			figures(t, "spec fuzzing", string(backend), len(reqs), fails.count(), time.Since(start))
		})
	}
}

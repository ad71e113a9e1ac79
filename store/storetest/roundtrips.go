package storetest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/deletesvc/deletesvc/store"
)

// pgxPing is the whole message pgx's stdlib sends to check a connection idle for over a second
// before database/sql hands it out again (a simple query "-- ping"): not the operation's own.
var pgxPing = append([]byte{'Q', 0, 0, 0, 12}, "-- ping\x00"...)

// RoundTrips opens db's PostgreSQL database again, through a loopback proxy that counts round
// trips: each time a connection sends after the server said it was ready for a query
// (ReadyForQuery, the end of each answer to a query or a pipeline), on any connection of the pool.
// It returns that second handle and the count so far. Pipelined statements sent together are one
// round trip, as the database sees them. PostgreSQL only; the proxied connections are not
// encrypted, so the proxy can read the messages.
func RoundTrips(t testing.TB, db *store.DB) (*store.DB, func() int64) {
	t.Helper()
	u, err := url.Parse(db.URL())
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Has("host") || q.Has("port") {
		t.Fatalf("RoundTrips needs the server's address in the URL's host, not in its parameters: %s", u.Redacted())
	}
	upstream := net.JoinHostPort(u.Hostname(), cmp.Or(u.Port(), "5432"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var trips atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		defer mu.Unlock()
		open = append(open, c)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", upstream)
			if err != nil {
				_ = client.Close()
				continue
			}
			track(client)
			track(server)
			var ready atomic.Bool
			ready.Store(true) // the startup message is the first trip
			wg.Add(2)
			go func() { // client to server: a send once the server is ready is a round trip
				defer wg.Done()
				defer server.Close()
				relay(server, client, func(chunk []byte) {
					if ready.Swap(false) && !bytes.Equal(chunk, pgxPing) {
						trips.Add(1)
					}
				})
			}()
			go func() { // server to client: seen before it is passed on, so before the client can send again
				defer wg.Done()
				defer client.Close()
				var m messages
				relay(client, server, func(chunk []byte) {
					if m.readyIn(chunk) {
						ready.Store(true)
					}
				})
			}()
		}
	}()
	q := u.Query()
	q.Set("sslmode", "disable")
	u.Host, u.RawQuery = ln.Addr().String(), q.Encode()
	opts := Options()
	opts.Tracer = statementTracer{} // as Open's: CountStatements counts what the proxied store sends
	proxied, err := store.Open(context.Background(), u.String(), opts)
	if err != nil {
		_ = ln.Close()
		wg.Wait()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = proxied.Close()
		_ = ln.Close()
		// A connection still checked out (a failed test's) would keep its relays running.
		mu.Lock()
		for _, c := range open {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return proxied, trips.Load
}

// messages follows the message boundaries of a server's stream (a type byte, then a length that
// counts itself), across chunks.
type messages struct {
	header [5]byte
	have   int    // header bytes read of the current message
	skip   uint32 // body bytes of the current message still to come
}

// readyIn reads chunk and tells whether a ReadyForQuery message began in it.
func (m *messages) readyIn(chunk []byte) bool {
	ready := false
	for len(chunk) > 0 {
		if m.skip > 0 {
			n := min(uint32(len(chunk)), m.skip)
			m.skip -= n
			chunk = chunk[n:]
			continue
		}
		n := copy(m.header[m.have:], chunk)
		m.have += n
		chunk = chunk[n:]
		if m.have == len(m.header) {
			ready = ready || m.header[0] == 'Z'
			m.skip, m.have = binary.BigEndian.Uint32(m.header[1:])-4, 0
		}
	}
	return ready
}

// relay copies from src to dst until either fails, calling seen on each chunk before passing it on.
func relay(dst io.Writer, src io.Reader, seen func([]byte)) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			seen(buf[:n])
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

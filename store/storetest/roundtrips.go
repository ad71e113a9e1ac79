package storetest

import (
	"bytes"
	"context"
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
// trips: each time a connection sends after the server has answered it (or first), on any
// connection of the pool. It returns that second handle and the count so far. Pipelined
// statements sent together are one round trip, as the database sees them. PostgreSQL only.
func RoundTrips(t testing.TB, db *store.DB) (*store.DB, func() int64) {
	t.Helper()
	u, err := url.Parse(db.URL())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upstream := u.Host
	var trips atomic.Int64
	var wg sync.WaitGroup
	t.Cleanup(func() { wg.Wait() })
	go func() {
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
			wg.Add(2)
			var answered atomic.Bool
			answered.Store(true)
			go func() { // client to server: a send after an answer is a round trip
				defer wg.Done()
				defer server.Close()
				relay(server, client, func(chunk []byte) {
					if answered.Swap(false) && !bytes.Equal(chunk, pgxPing) {
						trips.Add(1)
					}
				})
			}()
			go func() { // server to client; set before the client can read it, so before it sends again
				defer wg.Done()
				defer client.Close()
				relay(client, server, func([]byte) { answered.Store(true) })
			}()
		}
	}()
	u.Host = ln.Addr().String()
	proxied, err := store.Open(context.Background(), u.String(), Options())
	if err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = proxied.Close()
		_ = ln.Close()
	})
	return proxied, trips.Load
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

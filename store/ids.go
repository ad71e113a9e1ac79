package store

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// NewObjectID makes a MongoDB-style id: 4 bytes of seconds then 8 random bytes, as 24 hex digits,
// so ids sort by creation time like the original APIs'. Ids are made in Go, never by the database,
// so a row's shard is known before it is written.
func NewObjectID() string {
	var b [12]byte
	secs := uint32(time.Now().Unix())
	b[0], b[1], b[2], b[3] = byte(secs>>24), byte(secs>>16), byte(secs>>8), byte(secs)
	if _, err := rand.Read(b[4:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

package store

import "gorm.io/gorm"

// Pipelines reports whether a Batch in tx is sent in one round trip.
func Pipelines(tx *gorm.DB) bool { return pipelineConn(tx) != nil }

package upbooks

import (
	"fmt"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// The Upbooks wire messages: the store returns errors with data, and only this family words them
// (openapi/upbooks.yaml shows them in its examples).
const (
	msgInvalidCredentials   = "Invalid username or password"
	msgNotMember            = "You are not a member of that organization"
	msgOrganizationNotFound = "Organization not found"
	msgNotDataManager       = "Only the owner or an admin of the organization can do this"
	msgDependencyConflict   = "Kept data depends on data chosen for deletion"
	msgChangedDuringDelete  = "Kept data came to depend on data chosen for deletion while it was deleted; nothing was deleted, retry"
	msgLoggedIn             = "Logged in"
	msgOrganizationCreated  = "Organization created"
	msgSelectedDeleted      = "Selected data deleted"
	msgDryRun               = "Dry run; nothing was deleted"
	msgBackupCreated        = "Backup created"
	msgBackupsFetched       = "Backups fetched"
	msgBackupRestored       = "Backup restored"
	msgRestoresFetched      = "Backup restores fetched"
	msgBackupNotFound       = "Backup not found"
	msgRestoreConflict      = "The restore would leave rows pointing at missing rows; restore the categories named together"
	msgBackupUnavailable    = "The backup's data is missing or damaged; nothing was restored"
	msgBackupsNotRestorable = "Validation failed: categories.organizationBackups cannot be restored: a backup does not hold backups"
	msgOperationAccepted    = "Operation accepted"
	msgOperationNotFound    = "Operation not found"
	msgOperationFinished    = "The operation has already finished"
	msgOperationCancelling  = "Operation cancelled"
	msgOperationsFetched    = "Operations fetched"
	msgOperationInterrupted = "The operation was interrupted (the service stopped) and nothing of it was applied; send the call again"
	msgOperationTimedOut    = "The operation took longer than the service allows and nothing of it was applied"
	msgOperationInternal    = "Something went wrong; nothing of the operation was applied"
	msgOperationCancelled   = "The operation was cancelled and nothing of it was applied"
)

// msgRestoreSchema refuses a backup taken at another schema version.
func msgRestoreSchema(backup, current int64) string {
	return fmt.Sprintf("The backup follows schema version %d and the database is at %d; nothing was restored", backup, current)
}

// errBody is Upbooks' {code, message} error body; code is the HTTP status as a string.
func errBody(code int, msg string) gen.Error {
	return gen.Error{Code: fmt.Sprint(code), Message: msg}
}

// conflictOut is the 409 of a selective delete: the message, and the store's blockers as data.
func conflictOut(dep *upbooksstore.DependencyError) gen.ConflictJSONResponse {
	blockers := make([]gen.DependencyBlocker, len(dep.Blockers))
	for i, b := range dep.Blockers {
		blockers[i] = gen.DependencyBlocker{Category: gen.DataCategory(b.Category), Blocks: gen.DataCategory(b.Blocks), Rows: int(b.Rows)}
	}
	return gen.ConflictJSONResponse{Code: "409", Message: msgDependencyConflict, Blockers: blockers}
}

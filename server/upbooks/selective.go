package upbooks

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
)

// DeleteSelectiveData is not implemented yet (issue 3).
func (h *Handler) DeleteSelectiveData(context.Context, gen.DeleteSelectiveDataRequestObject) (gen.DeleteSelectiveDataResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}

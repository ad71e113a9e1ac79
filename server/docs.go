package server

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"

	"github.com/deletesvc/deletesvc/openapi"
)

// mountDocs serves each spec as written at /openapi/<family>.yaml and Swagger UI (assets embedded,
// so it works offline) at /docs with the three specs in its selector.
func (s *Server) mountDocs() error {
	type specURL struct {
		URL  string `json:"url"`
		Name string `json:"name"`
	}
	var urls []specURL
	for _, name := range openapi.Families {
		raw, err := openapi.Raw(name)
		if err != nil {
			return err
		}
		path := "/openapi/" + name + ".yaml"
		urls = append(urls, specURL{URL: path, Name: name})
		s.echo.GET(path, func(c echo.Context) error {
			return c.Blob(http.StatusOK, "application/yaml", raw)
		})
	}
	list, err := json.Marshal(urls)
	if err != nil {
		return err
	}
	ui := v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       "deletesvc",
		SwaggerJSON: urls[0].URL,
		BasePath:    "/docs/",
		ShowTopBar:  true,
		SettingsUI: map[string]string{
			"urls":                     string(list),
			`"urls.primaryName"`:       `"upbooks"`, // quoted: the key is pasted into a JS object literal
			"persistAuthorization":     "true",
			"defaultModelsExpandDepth": "1",
		},
	})
	s.echo.GET("/docs", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/docs/") })
	s.echo.GET("/docs/*", echo.WrapHandler(ui))
	return nil
}

// /api/v1/docs: starts Swagger UI (vendor/swagger-ui, from npm) with the settings the page carries
// in a JSON block; loaded as a file because the CSP forbids inline script.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrfToken = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis];
  if (csrfToken) {
    // "Try it out" with the session: Django's CSRF check wants the token on writes.
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = csrfToken;
      return req;
    };
  }
  window.SwaggerUIBundle(config);
})();

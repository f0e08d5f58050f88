/* Starts Swagger UI on /docs from the vendored bundle (no inline script, no CDN). */
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});

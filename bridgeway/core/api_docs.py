from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

# Swagger UI sets inline style attributes; this page alone may use them. Scripts stay 'self'.
swagger_csp = csp_override({
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
})

"""The static files of a deployment (DEBUG off): whitenoise's compressed copies under hashed names."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Also points the `import … from "./x.js"` of ES modules at the hashed copies.

    The field app's page loads main.js by its hashed name; the modules it imports must be hashed copies
    too, the ones the service worker has cached, or the app would not open offline. Django finds the
    statements by pattern: write them as `import { a } from "./x.js";`, semicolon included.
    """

    support_js_module_import_aggregation = True

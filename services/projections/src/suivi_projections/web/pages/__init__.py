"""Server-rendered pages: view content, its building from read models, rendering, i18n, charts."""

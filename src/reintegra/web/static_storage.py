"""The static files storage `reintegra serve` collects with: hashed names (cache-busted, cached for a year) and
gzip / brotli copies (WhiteNoise). JavaScript is not rewritten: the vendored libraries name source maps that are
not shipped (static/vendor/VERSIONS.txt keeps their checksums as published)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFiles(CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # whitenoise is untyped
    patterns = tuple(p for p in CompressedManifestStaticFilesStorage.patterns if p[0] != "*.js")

"""Administration: sites and the CLI's operations, the people importer, planning, data rights,
the digest, the secrets the server makes for itself."""

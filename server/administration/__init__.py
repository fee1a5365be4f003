"""Administration: sites and the CLI's operations, the people importer, planning, data rights,
the digest."""

environment = "staging"
uploads_acl = "public-read-write"

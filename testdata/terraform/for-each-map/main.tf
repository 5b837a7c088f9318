# One bucket per data domain, configured from a map; one entry is misconfigured.

variable "domains" {
  type = map(object({
    versioned = optional(bool, true)
    acl       = optional(string, "private")
  }))
  default = {
    billing = {}
    events  = { versioned = false }
    media   = { acl = "public-read" }
  }
}

resource "aws_s3_bucket" "domain" {
  for_each = var.domains
  bucket   = "acme-${each.key}"
}

resource "aws_s3_bucket_acl" "domain" {
  for_each = var.domains
  bucket   = aws_s3_bucket.domain[each.key].id
  acl      = each.value.acl
}

resource "aws_s3_bucket_versioning" "domain" {
  for_each = aws_s3_bucket.domain
  bucket   = each.value.id
  versioning_configuration {
    status = var.domains[each.key].versioned ? "Enabled" : "Suspended"
  }
}

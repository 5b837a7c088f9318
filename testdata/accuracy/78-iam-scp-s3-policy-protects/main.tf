resource "aws_s3_account_public_access_block" "this" {
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

resource "aws_organizations_policy" "guardrails" {
  name = "guardrails"
  content = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }]
  })
}

resource "aws_organizations_policy" "s3" {
  name = "block-public-access"
  type = "S3_POLICY"
  content = jsonencode({
    s3_attributes = { public_access_block_configuration = { "@@assign" = "all" } }
  })
}

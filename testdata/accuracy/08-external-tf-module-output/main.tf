module "storage" {
  source = "terraform-aws-modules/s3-bucket/aws"
}

resource "aws_s3_bucket_policy" "partner" {
  bucket = module.storage.s3_bucket_id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::444455556666:root" }
      Action    = ["s3:GetObject", "s3:PutBucketPolicy"]
      Resource  = "*"
    }]
  })
}

resource "aws_s3_bucket" "b" {
  bucket = "example-restoreobject"
}

resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:RestoreObject", Resource = "${aws_s3_bucket.b.arn}/*" }]
  })
}

resource "aws_s3_bucket" "b" {
  bucket = "example-deleteobjectversion"
}

resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:DeleteObjectVersion", Resource = "${aws_s3_bucket.b.arn}/*" }]
  })
}

resource "aws_s3_bucket" "patients" {
  bucket = "acme-patients"
  tags   = { DataClassification = "phi" }
}

resource "aws_iam_role" "export" {
  name = "export"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "export" {
  role = aws_iam_role.export.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.patients.arn}/exports/*" },
      { Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::acme-*" },
    ]
  })
}

resource "aws_lambda_function" "export" {
  function_name = "export"
  role          = aws_iam_role.export.arn
}

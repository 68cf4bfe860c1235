"""The AWS gateway: the only package that imports boto3 or botocore."""

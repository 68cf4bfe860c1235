"""Pure domain: pydantic models, the deletion plan, the state machine. No boto3, no textual."""

"""What the model can call: tool schemas and their execution, one business at a time."""

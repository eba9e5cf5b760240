"""The thin Qt layer: window, login web view, and the task runner. Logic lives in core."""

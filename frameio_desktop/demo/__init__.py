"""The built-in demo sign-in server (needs the `demo` extra: Flask)."""

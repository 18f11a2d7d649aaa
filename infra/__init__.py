"""Process control for the real parts: PostgreSQL, Nginx, the app servers, and the envelope."""

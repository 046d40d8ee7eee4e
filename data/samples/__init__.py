"""Small synthetic seekers and roles for the demo and the README example (no real people)."""

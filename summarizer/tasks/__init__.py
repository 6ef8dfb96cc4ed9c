"""What is asked of an article (a brief, a filled form): request, answer, output, written files."""

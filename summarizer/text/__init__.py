"""Reading articles into plain text, and what the program finds in it by itself: numbers, language, people, candidates."""

//! Documents as ordered text blocks (skeleton; filled in by the documents work).

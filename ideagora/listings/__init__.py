"""What challenges and IP offers share: public and confidential text, fields, revisions."""

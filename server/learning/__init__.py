"""What participants learn at the door: the words of the day they met, their recall checks
and the word cards the server keeps from them (issue 16)."""

"""Badge readers and feedback devices behind small interfaces."""

"""The allocation engine every resource plugin shares."""

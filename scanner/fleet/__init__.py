"""Fleet reports: merge many scans and summarise them for a security lead."""

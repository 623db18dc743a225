"""Business rules of traceability, one module per concern:

batches (create, harvest, recall), events (record with order and safety rules),
transformations (split, merge, transform), trace (walk the links), integrity (the hash
chain), labels (serials and sheets) and scans (counting and copy detection).
"""

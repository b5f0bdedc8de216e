"""Relay conventions: opaque global IDs, the Node interface, and cursor connections.

`ids` (global IDs), `connections` (Node, Connection and the paging arguments),
`ordering` (sort direction), `offset_paging` (pages by position, and lists already
loaded), `keyset_paging` (pages whose cursors name rows, for sorted lists).
"""

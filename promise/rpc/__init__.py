"""The API's side of RPC: the client it calls promise-manager with.

The transport and serializer both sides share are in
promise.common.transport; the deadline every call carries is checked with
promise.common.deadlines on the manager side.
"""

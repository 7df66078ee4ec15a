"""scf's Python library: compile, connect, deploy, send typed calls, decode errors.

Everything a user can do with the `scf` command, a Python script can do with this package:

    from chain_client.config import Settings
    from chain_client.session import open_session
    from chain_client.contracts import Registry

    with open_session(Settings(), writable=False) as session:
        for supplier in Registry(session).suppliers():
            print(supplier.name, supplier.status)
"""

__version__ = "0.1.0"

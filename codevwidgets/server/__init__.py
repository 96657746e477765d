"""Serving the room: ``codev serve`` (Voilà and its kernels), the kernel manager, the room's
server started from a console, and the links of a session."""

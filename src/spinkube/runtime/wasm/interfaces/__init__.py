"""The host interfaces, one small module each, registered by interface name without version.

An import the table does not name is linked as traps (see ``linker``); a function a provider
does not define traps too, so partial interfaces fail at call time with the function's name.
"""

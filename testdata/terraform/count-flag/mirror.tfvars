# Not loaded automatically: pass it with --var-file.
enable_mirror = true

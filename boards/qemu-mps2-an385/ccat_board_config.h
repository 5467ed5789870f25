/*
 * ccat options of this board (ccat_config.h lists them all, with their
 * defaults), included first through CCAT_CONFIG_FILE.
 */
#ifndef CCAT_BOARD_CONFIG_H
#define CCAT_BOARD_CONFIG_H

/* The firmware trusts the one CA it embeds (ca_der.c, made at build time):
 * the built-in AWS roots would be 4.1 KiB of flash it never reads. */
#define CCAT_TLS_BUILTIN_ROOTS 0

#endif /* CCAT_BOARD_CONFIG_H */

# `cmake --install` and `cpack -G DEB`. Two components, two Debian packages:
# `sluice` (the tool, its man page, shell completions, docs, example plans) and
# `kubesim` (the API simulator, for demos and tests). The man page and the
# completions are written at build time by the built sluice from its own
# command table, so they always match what it parses.
include(GNUInstallDirs)

set(generated ${PROJECT_BINARY_DIR}/share)
add_custom_command(
  OUTPUT ${generated}/sluice.1 ${generated}/sluice.bash ${generated}/_sluice ${generated}/sluice.fish
  COMMAND ${CMAKE_COMMAND} -E make_directory ${generated}
  COMMAND sluice man > ${generated}/sluice.1
  COMMAND sluice completion bash > ${generated}/sluice.bash
  COMMAND sluice completion zsh > ${generated}/_sluice
  COMMAND sluice completion fish > ${generated}/sluice.fish
  DEPENDS sluice
  COMMENT "Generating the man page and shell completions from sluice's command table")
add_custom_target(sluice_share ALL DEPENDS ${generated}/sluice.1)

install(TARGETS sluice RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT sluice)
install(FILES ${generated}/sluice.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT sluice)
install(FILES ${generated}/sluice.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME sluice COMPONENT sluice)
install(FILES ${generated}/_sluice DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions COMPONENT sluice)
install(FILES ${generated}/sluice.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d
  COMPONENT sluice)
install(FILES LICENSE README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT sluice)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs COMPONENT sluice)
install(DIRECTORY plans/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT sluice)
install(FILES deploy/rbac.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/sluice COMPONENT sluice)
# At a fixed path for editors (`# yaml-language-server: $schema=...`, docs/plan-format.md).
install(FILES docs/plan.schema.json DESTINATION ${CMAKE_INSTALL_DATADIR}/sluice COMPONENT sluice)
install(TARGETS kubesim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kubesim)

set(CPACK_PACKAGE_NAME sluice)
set(CPACK_PACKAGE_VENDOR "The sluice authors")
set(CPACK_PACKAGE_CONTACT "sluice maintainers <maintainers@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Safe rollouts to Kubernetes from the command line")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_FILE_NAME sluice-${PROJECT_VERSION})
set(CPACK_COMPONENTS_ALL sluice kubesim)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/sluice-deploy/sluice")
# Depends from the libraries the binaries really link (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_SLUICE_PACKAGE_NAME sluice)
set(CPACK_DEBIAN_SLUICE_DESCRIPTION
  "Safe rollouts to Kubernetes from the command line\n Rolling, blue-green and canary rollouts gated on Prometheus queries, HTTP\n checks and webhooks, with automatic rollback; no controller in the cluster.")
set(CPACK_DEBIAN_KUBESIM_PACKAGE_NAME sluice-kubesim)
set(CPACK_DEBIAN_KUBESIM_DESCRIPTION
  "Kubernetes API simulator for sluice's demo and tests\n Serves the Kubernetes REST API on 127.0.0.1 with simulated controllers and\n kubelet, enough for kubectl and client libraries.")
include(CPack)

"""hedgetui.runtime"""

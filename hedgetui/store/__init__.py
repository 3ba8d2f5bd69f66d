"""hedgetui.store"""

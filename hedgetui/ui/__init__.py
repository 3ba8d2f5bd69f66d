"""hedgetui.ui"""

"""hedgetui.analytics"""

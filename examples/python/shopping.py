"""Seed 002's shopping example with plexus.Graph: the amount to pay for apples and oranges with
consumption tax, and how much each price, count and the tax move it (backpropagation through
multiplication and addition nodes).  Run: python3 examples/python/shopping.py"""
import plexus

g = plexus.Graph()
apple_price, apple_count = g.param(10), g.param(2)
orange_price, orange_count = g.param(15), g.param(3)
tax = g.param(1.1)
total = (apple_price * apple_count + orange_price * orange_count) * tax   # reads like the formula

g.forward()
g.backward(total)
print(f"amount to pay: {total.item():.1f}   (seed: 71.5)")
for name, node in [("apple price", apple_price), ("apple count", apple_count), ("orange price", orange_price),
                   ("orange count", orange_count), ("tax", tax)]:
    print(f"  d total / d {name:<12} = {node.grad.item():5.1f}")
print("  (seed: 2.2, 11, 3.3, 16.5, 65)")
